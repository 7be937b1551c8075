"""The field-work models, one module per part, gathered here for Django's app registry."""
