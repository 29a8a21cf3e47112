"""Excel front end of perfeval: ribbon data, the reproducible .xlam build and the ribbon macros."""
