"""The meaning layer: sentence vectors and word lemmas shared by ask, topics and stories."""
