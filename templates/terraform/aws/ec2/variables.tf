variable "region" {
  description = "AWS region, e.g. eu-west-3."
  type        = string
  default     = "eu-west-3"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-3 or us-gov-west-1."
  }
}

variable "name" {
  description = "Name prefix for every resource (Name tags)."
  type        = string
  default     = "cloudya"

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,31}$", var.name))
    error_message = "name must be 1-32 letters, digits or '-', starting with a letter or digit."
  }
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
  default     = "t3.micro"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must look like t3.micro."
  }
}

variable "ssh_public_key" {
  description = "The OpenSSH public key to log in with."
  type        = string

  validation {
    condition     = can(regex("^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+", var.ssh_public_key))
    error_message = "ssh_public_key must be an OpenSSH public key (ssh-ed25519 …, ssh-rsa … or ecdsa-sha2-…)."
  }
}

variable "ssh_cidr" {
  description = "Who may reach SSH (port 22)."
  type        = string
  default     = "0.0.0.0/0"

  validation {
    condition     = can(cidrhost(var.ssh_cidr, 0))
    error_message = "ssh_cidr must be an IPv4 CIDR block, e.g. 203.0.113.7/32."
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

variable "root_volume_gb" {
  description = "Size of the root disk in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.root_volume_gb >= 8 && var.root_volume_gb <= 1024
    error_message = "root_volume_gb must be from 8 to 1024."
  }
}

variable "vpc_cidr" {
  description = "The VPC's IPv4 range."
  type        = string
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}
