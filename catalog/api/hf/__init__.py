"""The Hugging Face Hub protocol beyond the catalog's REST API: what `huggingface_hub`
calls for repos (create/delete/settings), refs and trees, and for uploads (preupload, the
Git-LFS batch API and object PUTs, the NDJSON commit). Views are thin: protocol shapes here,
the work in catalog.services (commits, lfs, models) and catalog.selectors."""
