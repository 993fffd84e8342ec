# The second region of the replica buckets and keys.

mock_data "aws_region" {
  defaults = {
    name = "us-west-2"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn = "arn:aws:kms:us-west-2:123456789012:key/11111111-1111-1111-1111-111111111111"
  }
}
