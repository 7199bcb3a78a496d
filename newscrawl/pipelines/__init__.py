"""Item pipelines, one component per module: validate → normalize → archive (dedup + store)."""
