import { Box, Typography } from "@mui/material";
import { useMemo } from "react";
import { sideBySide } from "./sideBySide";

/** Before and after of one file, line by line, removed lines marked on the left and added ones on the right. */
export function SideBySideDiff({ before, after }: { before: string; after: string }) {
  const rows = useMemo(() => sideBySide(before, after), [before, after]);
  if (rows.length === 0) return <Typography color="text.secondary">Both versions are empty.</Typography>;
  const cell = (text: string | null, kind: "same" | "removed" | "added" | "blank") => (
    <Box
      component="td"
      sx={{
        fontFamily: "monospace",
        fontSize: 12,
        whiteSpace: "pre-wrap",
        wordBreak: "break-all",
        verticalAlign: "top",
        px: 1,
        width: "50%",
        bgcolor: kind === "removed" ? "#ffebe9" : kind === "added" ? "#e6ffec" : kind === "blank" ? "grey.100" : undefined,
      }}
    >
      {kind === "removed" ? "- " : kind === "added" ? "+ " : "  "}
      {text ?? ""}
    </Box>
  );
  return (
    <Box component="table" sx={{ width: "100%", borderCollapse: "collapse", tableLayout: "fixed" }} aria-label="Side-by-side diff">
      <thead>
        <tr>
          <Box component="th" sx={{ textAlign: "left", px: 1 }}>Before</Box>
          <Box component="th" sx={{ textAlign: "left", px: 1 }}>After</Box>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {cell(row.left, row.left === null ? "blank" : row.changed ? "removed" : "same")}
            {cell(row.right, row.right === null ? "blank" : row.changed ? "added" : "same")}
          </tr>
        ))}
      </tbody>
    </Box>
  );
}
