"""Who sells: businesses (chủ thể OCOP), their people and roles."""
