"""The employers screen: search and detail with contracts, worksites and contacts."""
