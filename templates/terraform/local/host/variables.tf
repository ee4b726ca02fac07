variable "name" {
  description = "A name for the host, recorded in its host file."
  type        = string
  default     = "cloudya-host"

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$", var.name))
    error_message = "name must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}

variable "ssh_user" {
  description = "The user later steps connect as."
  type        = string
  default     = "root"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]*$", var.ssh_user))
    error_message = "ssh_user must be a valid Unix user name."
  }
}

variable "ssh_port" {
  description = "The SSH port later steps would use."
  type        = number
  default     = 22

  validation {
    condition     = var.ssh_port >= 1 && var.ssh_port <= 65535 && floor(var.ssh_port) == var.ssh_port
    error_message = "ssh_port must be a whole number from 1 to 65535."
  }
}

variable "admin_password" {
  description = "An admin password for the host; only its SHA-256 is written to the host file."
  type        = string
  default     = ""
  sensitive   = true
}
