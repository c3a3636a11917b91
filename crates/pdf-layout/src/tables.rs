//! Table grids from the text and ruling lines inside a table region.
