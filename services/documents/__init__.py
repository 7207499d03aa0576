"""The knowledge base: documents, their versions, review and who may see them."""
