"""What a trained network learned: activations, kernel motifs, clustering, input optimisation, attribution."""
