"""The eval suite: gold Q&A pairs through the public API, metrics, a baseline and an HTML report."""
