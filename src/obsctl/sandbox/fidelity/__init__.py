"""Where moto answers differently from AWS, patches that make the local AWS answer as AWS does.

limits.py     AWS's limits and validations (the rows of obsctl/limits/table.yaml), service by
              service in limits_s3.py, limits_iam.py and limits_services.py
patching.py   how a patch runs a check before a moto call and answers with the service's error
"""
