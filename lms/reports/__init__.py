"""Manager reports: completion, capability, adoption (tool usage), ROI; SVG charts; CSV and PDF exports."""
