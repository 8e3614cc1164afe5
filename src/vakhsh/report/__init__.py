"""Human-facing outputs: terminal tables, plots and the HTML report."""
