"""From the text of a TARGET/ACHIEVED span to numbers an economist can use: one clause read
into indicator, change, values, unit and qualifier (`quantity`), a span cut into its measures
(`measures`), indicators named by the reviewed vocabulary (`indicators`) and the period a
measure refers to (`periods`)."""
