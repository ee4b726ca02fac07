variable "name" {
  description = "A name for the task."
  type        = string
  default     = "task"

  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 63
    error_message = "name must be 1 to 63 characters."
  }
}

variable "instances" {
  description = "How many resources to create, each running the command once."
  type        = number
  default     = 1

  validation {
    condition     = var.instances >= 1 && var.instances <= 500 && floor(var.instances) == var.instances
    error_message = "instances must be a whole number from 1 to 500."
  }
}

variable "command" {
  description = "The shell command each resource runs when it is created (INDEX holds its number)."
  type        = string
  default     = "true"
}

variable "fail" {
  description = "Make the apply fail after the resources started."
  type        = bool
  default     = false
}
