"""Model graphlets: the builder of :Graphlet nodes, their costs, push outcome and :NEXT links (docs/graphlets.md)."""
