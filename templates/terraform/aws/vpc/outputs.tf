output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.main.id
}

output "vpc_cidr" {
  description = "The VPC's IPv4 range."
  value       = aws_vpc.main.cidr_block
}

output "region" {
  description = "The region the VPC is in."
  value       = var.region
}

output "availability_zones" {
  description = "The zones the subnets are in."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets, one per zone."
  value       = aws_subnet.private[*].id
}

output "nat_gateway_ids" {
  description = "NAT gateways (empty when nat_gateway = none)."
  value       = aws_nat_gateway.main[*].id
}
