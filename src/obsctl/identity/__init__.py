"""Who may assume the stack's roles: IAM's trust decisions, computed from the policies as stored.

trust.py       STS's AssumeRoleWithWebIdentity decision: the token's provider in the role's
               account, then the trust policy (statements, principals, actions, conditions)
conditions.py  IAM's condition operators, failing closed on what it cannot judge
live.py        roles' trust policies and OIDC providers as an IAM endpoint holds them

It depends on nothing else in obsctl, so tests, the local AWS and verify all use one reading.
"""
