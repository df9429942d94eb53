"""Training code: synthetic data, model training and export."""
