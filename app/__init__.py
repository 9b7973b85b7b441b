"""The Streamlit app: pages over the provenance warehouse (`mlprov app`)."""
