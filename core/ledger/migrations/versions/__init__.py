"""One module per migration, named by what it changes; each has a downgrade."""
