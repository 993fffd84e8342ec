"""Running Terraform: the binary, its CLI configuration, commands and their JSON streams."""
