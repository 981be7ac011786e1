"""The lab's Azure Resource Manager and Microsoft Entra ID stand-in (see services/arm.py)."""

# A fixed, made-up subscription, so inventories agree across lab starts.
LAB_SUBSCRIPTION_ID = "3c9a4f2e-8b1d-4e7a-9f60-5d2c8e1b7a43"
# The service principal the lab knows; its secret is new at every start.
LAB_CLIENT_ID = "5b8e2d71-0c4a-4f39-b6e2-9a1d7c3f5e80"
