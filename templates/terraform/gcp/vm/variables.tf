variable "project" {
  description = "The Google Cloud project id."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project))
    error_message = "project must be a project id: 6-30 lower-case letters, digits or '-'."
  }
}

variable "region" {
  description = "GCP region, e.g. europe-west1."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must look like europe-west1."
  }
}

variable "zone" {
  description = "GCP zone inside the region, e.g. europe-west1-b."
  type        = string
  default     = "europe-west1-b"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+-[a-z]$", var.zone))
    error_message = "zone must look like europe-west1-b."
  }
}

variable "name" {
  description = "Name prefix for every resource."
  type        = string
  default     = "cloudya"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$", var.name))
    error_message = "name must be 1-32 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "machine_type" {
  description = "Machine type, e.g. e2-small."
  type        = string
  default     = "e2-small"
}

variable "image" {
  description = "Boot image (project/family)."
  type        = string
  default     = "ubuntu-os-cloud/ubuntu-2204-lts"
}

variable "disk_gb" {
  description = "Boot disk size in GB."
  type        = number
  default     = 20

  validation {
    condition     = var.disk_gb >= 10 && var.disk_gb <= 2048
    error_message = "disk_gb must be from 10 to 2048."
  }
}

variable "ssh_user" {
  description = "The login user created from ssh_public_key."
  type        = string
  default     = "cloudya"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.ssh_user))
    error_message = "ssh_user must be a valid Unix user name."
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
  description = "Who may reach SSH (port 22)."
  type        = string
  default     = "0.0.0.0/0"

  validation {
    condition     = can(cidrhost(var.ssh_cidr, 0))
    error_message = "ssh_cidr must be an IPv4 CIDR block."
  }
}

variable "open_ports" {
  description = "Other TCP ports open to everyone."
  type        = list(number)
  default     = [80, 443]

  validation {
    condition     = alltrue([for p in var.open_ports : p >= 1 && p <= 65535])
    error_message = "open_ports must be TCP ports from 1 to 65535."
  }
}

variable "subnet_cidr" {
  description = "The subnet's IPv4 range."
  type        = string
  default     = "10.30.0.0/24"

  validation {
    condition     = can(cidrhost(var.subnet_cidr, 0))
    error_message = "subnet_cidr must be an IPv4 CIDR block."
  }
}
