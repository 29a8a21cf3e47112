"""Word documents: reading a 自评报告 and writing the draft."""
