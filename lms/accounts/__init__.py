"""The workspace: accounts, contacts, signals, opportunities, handoffs; CRM import/export; matching."""
