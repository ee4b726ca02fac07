output "name" {
  description = "The task's name."
  value       = var.name
}

output "instances" {
  description = "How many resources ran the command."
  value       = length(terraform_data.run)
}

output "ids" {
  description = "The ids terraform gave the resources."
  value       = terraform_data.run[*].id
}
