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

variable "vpc_cidr" {
  description = "The VPC's IPv4 range (/16 to /24); subnets are carved from it."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /24, e.g. 10.0.0.0/16."
  }
}

variable "az_count" {
  description = "How many availability zones to spread subnets over."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 6 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 1 to 6."
  }
}

variable "nat_gateway" {
  description = "NAT for private subnets: none, single (one shared gateway) or per_az (one per zone)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway)
    error_message = "nat_gateway must be none, single or per_az."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
