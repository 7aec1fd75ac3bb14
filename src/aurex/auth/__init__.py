"""Accounts and security: users, passwords, two-factor login, tokens, sessions."""
