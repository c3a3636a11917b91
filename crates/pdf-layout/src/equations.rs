//! Display equations: centred math lines with an equation number at the margin.
