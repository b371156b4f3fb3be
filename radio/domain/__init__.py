"""The pure core: rules and models, standard library only, no I/O."""
