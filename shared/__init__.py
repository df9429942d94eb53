"""What every pipeline service uses: settings, message schemas, broker helpers, DB models, codecs."""
