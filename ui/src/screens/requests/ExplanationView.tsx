// Draws one parsed explanation by explainer type (parsing and its tests: explanation.ts).
import { Box, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import type { AnchorView, ExplanationView, ImageAnchorView, ShapView, TextAnchorView } from "./explanation";
import { show } from "./rows";

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

function Scores({ precision, coverage }: { precision: number; coverage: number }) {
  return (
    <Typography data-testid="anchor-scores">
      Precision <strong data-testid="anchor-precision">{pct(precision)}</strong>, coverage{" "}
      <strong data-testid="anchor-coverage">{pct(coverage)}</strong>
    </Typography>
  );
}

function Examples({ title, rows }: { title: string; rows: unknown[][] }) {
  return (
    <Box>
      <Typography variant="subtitle2">{title}</Typography>
      {rows.length === 0 ? (
        <Typography variant="body2">None sampled.</Typography>
      ) : (
        <Table size="small" aria-label={title}>
          <TableBody>
            {rows.slice(0, 5).map((row, i) => (
              <TableRow key={i}>
                {row.map((v, j) => (
                  <TableCell key={j}>{show(v)}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function Anchor({ view }: { view: AnchorView }) {
  return (
    <Stack spacing={1}>
      <Typography variant="subtitle1">Anchor (the prediction holds while all of these hold)</Typography>
      <Box component="ul" data-testid="anchor-rules" sx={{ m: 0 }}>
        {view.rules.length === 0 ? <li>An empty anchor: the prediction holds whatever the features.</li> : null}
        {view.rules.map((rule) => (
          <li key={rule}>{rule}</li>
        ))}
      </Box>
      <Scores precision={view.precision} coverage={view.coverage} />
      <Examples title="Examples where the anchor holds and the prediction is the same" rows={view.coveredTrue} />
      <Examples title="Examples where the anchor holds but the prediction differs" rows={view.coveredFalse} />
    </Stack>
  );
}

function TextAnchor({ view }: { view: TextAnchorView }) {
  const anchor = new Set(view.words);
  const tokens = (view.text ?? view.words.join(" ")).split(/(\s+)/);
  return (
    <Stack spacing={1}>
      <Typography variant="subtitle1">Anchor words</Typography>
      <Typography data-testid="anchor-text">
        {tokens.map((t, i) =>
          anchor.has(t) ? (
            <Box component="mark" key={i} sx={{ bgcolor: "warning.light", px: 0.5 }}>
              {t}
            </Box>
          ) : (
            <span key={i}>{t}</span>
          ),
        )}
      </Typography>
      <Scores precision={view.precision} coverage={view.coverage} />
    </Stack>
  );
}

function ImageAnchor({ view }: { view: ImageAnchorView }) {
  const inAnchor = new Set(view.anchorSegments);
  const values = view.image?.flat() ?? [];
  const max = Math.max(1, ...values);
  const cell = Math.max(4, Math.floor(240 / Math.max(1, view.segments[0]?.length ?? 1)));
  return (
    <Stack spacing={1}>
      <Typography variant="subtitle1">Anchor segments (outlined) on the image</Typography>
      <Box role="img" aria-label={`image with anchor segments ${view.anchorSegments.join(", ")}`}>
        {view.segments.map((row, y) => (
          <Box key={y} sx={{ display: "flex" }}>
            {row.map((segmentId, x) => {
              const level = view.image ? Math.round(255 - (255 * (view.image[y]?.[x] ?? 0)) / max) : 255;
              return (
                <Box
                  key={x}
                  sx={{
                    width: cell,
                    height: cell,
                    bgcolor: `rgb(${level},${level},${level})`,
                    outline: inAnchor.has(segmentId) ? "2px solid #d32f2f" : "none",
                    outlineOffset: -2,
                  }}
                />
              );
            })}
          </Box>
        ))}
      </Box>
      <Scores precision={view.precision} coverage={view.coverage} />
    </Stack>
  );
}

function Shap({ view }: { view: ShapView }) {
  return (
    <Stack spacing={2}>
      {view.classes.map((c) => {
        const scale = Math.max(1e-12, ...c.values.map(Math.abs));
        return (
          <Box key={c.label}>
            <Typography variant="subtitle1">
              Class {c.label} (expected value {show(c.expected)})
            </Typography>
            <Table size="small" aria-label={`SHAP values of class ${c.label}`}>
              <TableHead>
                <TableRow>
                  <TableCell>Feature</TableCell>
                  <TableCell>Contribution</TableCell>
                  <TableCell sx={{ width: 200 }} />
                </TableRow>
              </TableHead>
              <TableBody>
                {c.values.map((v, i) => (
                  <TableRow key={i}>
                    <TableCell>{view.featureNames[i]}</TableCell>
                    <TableCell>{show(v)}</TableCell>
                    <TableCell>
                      <Box
                        sx={{
                          height: 10,
                          width: `${(Math.abs(v) / scale) * 100}%`,
                          bgcolor: v >= 0 ? "#c62828" : "#1565c0",
                        }}
                      />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        );
      })}
    </Stack>
  );
}

export function ExplanationRender({ view }: { view: ExplanationView }) {
  switch (view.kind) {
    case "anchor":
      return <Anchor view={view} />;
    case "text":
      return <TextAnchor view={view} />;
    case "image":
      return <ImageAnchor view={view} />;
    case "shap":
      return <Shap view={view} />;
  }
}

