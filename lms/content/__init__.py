"""Course content: loads and checks courses/, renders Markdown safely, tracks content freshness."""
