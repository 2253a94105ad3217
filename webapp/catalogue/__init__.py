"""The micro-learning catalogue: modules (whole recordings and clips) kept in step with
videos and clips, curated with topics, levels and tags, browsed and searched."""
