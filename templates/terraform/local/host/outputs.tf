output "host" {
  description = "The address later steps connect to."
  value       = "127.0.0.1"
}

output "connection" {
  description = "How later steps reach the host: local (no SSH needed)."
  value       = "local"
}

output "ssh_user" {
  description = "The user later steps connect as."
  value       = var.ssh_user
}

output "ssh_port" {
  description = "The SSH port."
  value       = var.ssh_port
}

output "name" {
  description = "The host's name."
  value       = var.name
}

output "host_id" {
  description = "The id terraform gave the host resource."
  value       = terraform_data.host.id
}

output "host_file" {
  description = "The host file written on create."
  value       = local.host_file
}
