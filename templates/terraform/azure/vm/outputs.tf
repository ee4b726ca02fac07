output "host" {
  description = "The address later steps connect to (the static public IP)."
  value       = azurerm_public_ip.host.ip_address
}

output "public_ip" {
  description = "The VM's static public IP."
  value       = azurerm_public_ip.host.ip_address
}

output "private_ip" {
  description = "The VM's address inside the subnet."
  value       = azurerm_network_interface.host.private_ip_address
}

output "vm_id" {
  description = "The VM's Azure resource id."
  value       = azurerm_linux_virtual_machine.host.id
}

output "resource_group" {
  description = "The resource group holding everything."
  value       = azurerm_resource_group.main.name
}

output "connection" {
  description = "How later steps reach the host."
  value       = "ssh"
}

output "ssh_user" {
  description = "The login user."
  value       = var.admin_username
}

output "ssh_port" {
  description = "The SSH port."
  value       = 22
}
