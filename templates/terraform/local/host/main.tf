# The local machine as a deployment target. Nothing is downloaded: the
# built-in terraform_data resource records the host, and local-exec writes a
# host file into the deployment folder on create and removes it on destroy.
terraform {
  required_version = ">= 1.5.0"
}

locals {
  host_file = "${abspath(path.module)}/host.json"
}

resource "terraform_data" "host" {
  input = {
    name      = var.name
    ssh_user  = var.ssh_user
    ssh_port  = var.ssh_port
    host_file = local.host_file
  }

  provisioner "local-exec" {
    command = <<-EOT
      umask 077
      sum=""
      if [ -n "$ADMIN_PASSWORD" ]; then sum=$(printf '%s' "$ADMIN_PASSWORD" | sha256sum | cut -d' ' -f1); fi
      printf '{"name":"%s","host":"127.0.0.1","ssh_user":"%s","ssh_port":%s,"admin_password_sha256":"%s"}\n' \
        "$HOST_NAME" "$SSH_USER" "$SSH_PORT" "$sum" > "$HOST_FILE"
    EOT
    environment = {
      HOST_NAME      = var.name
      SSH_USER       = var.ssh_user
      SSH_PORT       = tostring(var.ssh_port)
      HOST_FILE      = local.host_file
      ADMIN_PASSWORD = var.admin_password
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "rm -f \"$HOST_FILE\""
    environment = {
      HOST_FILE = self.input.host_file
    }
  }
}
