"""HTTP plumbing shared by the dialects: error rendering and the router list."""
