# A task on this machine: `instances` terraform_data resources, each running
# `command` once when created. With fail = true, a last resource fails after
# the others were created, so a workflow can exercise retries and rollback.
terraform {
  required_version = ">= 1.5.0"
}

resource "terraform_data" "run" {
  count = var.instances

  input = {
    name  = var.name
    index = count.index
  }

  provisioner "local-exec" {
    command = var.command
    environment = {
      INDEX = tostring(count.index)
    }
  }
}

resource "terraform_data" "outcome" {
  input      = { fail = var.fail }
  depends_on = [terraform_data.run]

  provisioner "local-exec" {
    command = var.fail ? "echo 'task ${var.name} failed on purpose (fail = true)' >&2; exit 1" : "true"
  }
}
