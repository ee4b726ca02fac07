output "host" {
  description = "The address later steps connect to (the static external IP)."
  value       = google_compute_address.host.address
}

output "public_ip" {
  description = "The VM's static external IP."
  value       = google_compute_address.host.address
}

output "private_ip" {
  description = "The VM's address inside the subnet."
  value       = google_compute_instance.host.network_interface[0].network_ip
}

output "instance_id" {
  description = "The VM's id."
  value       = google_compute_instance.host.instance_id
}

output "connection" {
  description = "How later steps reach the host."
  value       = "ssh"
}

output "ssh_user" {
  description = "The login user."
  value       = var.ssh_user
}

output "ssh_port" {
  description = "The SSH port."
  value       = 22
}

output "network" {
  description = "The VPC network's name."
  value       = google_compute_network.main.name
}
