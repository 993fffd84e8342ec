"""One module per obsctl verb: a plain function `verb(ctx, ...) -> Result` that never prints."""
