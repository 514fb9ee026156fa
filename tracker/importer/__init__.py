"""Import and export of the organization as CSV files."""
