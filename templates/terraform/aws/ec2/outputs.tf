output "host" {
  description = "The address later steps connect to (the Elastic IP)."
  value       = aws_eip.host.public_ip
}

output "public_ip" {
  description = "The instance's public (Elastic) IP."
  value       = aws_eip.host.public_ip
}

output "public_dns" {
  description = "The instance's public DNS name."
  value       = aws_eip.host.public_dns
}

output "private_ip" {
  description = "The instance's address inside the VPC."
  value       = aws_instance.host.private_ip
}

output "instance_id" {
  description = "The EC2 instance id."
  value       = aws_instance.host.id
}

output "connection" {
  description = "How later steps reach the host."
  value       = "ssh"
}

output "ssh_user" {
  description = "The login user of the Ubuntu image."
  value       = "ubuntu"
}

output "ssh_port" {
  description = "The SSH port."
  value       = 22
}

output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.main.id
}

output "security_group_id" {
  description = "The instance's security group."
  value       = aws_security_group.instance.id
}
