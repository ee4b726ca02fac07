variable "location" {
  description = "Azure region, e.g. westeurope."
  type        = string
  default     = "westeurope"

  validation {
    condition     = can(regex("^[a-z0-9]+$", var.location))
    error_message = "location must be an Azure region name such as westeurope (lower case, no spaces)."
  }
}

variable "name" {
  description = "Name prefix for every resource."
  type        = string
  default     = "cloudya"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$", var.name))
    error_message = "name must be 2-32 letters, digits or '-', starting with a letter."
  }
}

variable "vm_size" {
  description = "VM size, e.g. Standard_B1s."
  type        = string
  default     = "Standard_B1s"

  validation {
    condition     = can(regex("^(Standard|Basic)_[A-Za-z0-9_]+$", var.vm_size))
    error_message = "vm_size must look like Standard_B1s."
  }
}

variable "admin_username" {
  description = "The login user."
  type        = string
  default     = "azureuser"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.admin_username)) && !contains(["admin", "root", "administrator"], var.admin_username)
    error_message = "admin_username must be a valid Unix user name other than admin, root or administrator."
  }
}

variable "ssh_public_key" {
  description = "The OpenSSH public key to log in with."
  type        = string

  validation {
    condition     = can(regex("^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+", var.ssh_public_key))
    error_message = "ssh_public_key must be an OpenSSH public key."
  }
}

variable "ssh_cidr" {
  description = "Who may reach SSH (port 22): a CIDR block, or * for anyone."
  type        = string
  default     = "*"

  validation {
    condition     = var.ssh_cidr == "*" || can(cidrhost(var.ssh_cidr, 0))
    error_message = "ssh_cidr must be an IPv4 CIDR block or *."
  }
}

variable "open_ports" {
  description = "Other TCP ports open to everyone."
  type        = list(number)
  default     = [80, 443]

  validation {
    condition     = alltrue([for p in var.open_ports : p >= 1 && p <= 65535 && p != 22])
    error_message = "open_ports must be TCP ports from 1 to 65535 (22 is governed by ssh_cidr)."
  }
}

variable "disk_gb" {
  description = "OS disk size in GB."
  type        = number
  default     = 30

  validation {
    condition     = var.disk_gb >= 30 && var.disk_gb <= 1024
    error_message = "disk_gb must be from 30 to 1024."
  }
}

variable "address_space" {
  description = "The virtual network's IPv4 range."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.address_space, 0))
    error_message = "address_space must be an IPv4 CIDR block."
  }
}
