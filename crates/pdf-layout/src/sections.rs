//! Section headings ("3.4 Implementation", "A.2 Pre-training") found in reading order.
