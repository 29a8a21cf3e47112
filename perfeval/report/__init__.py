"""The 自评报告: reading a report's text, checking it against the tables, drafting one from them."""
