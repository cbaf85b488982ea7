import { createTheme } from "@mantine/core";

/**
 * Mantine's defaults with darker shades for text on white: the states of the SLA board are told
 * apart by colour and by word, and every colour used for text meets WCAG AA (4.5:1) on white.
 */
export const theme = createTheme({
  primaryColor: "indigo",
  primaryShade: 7,
  defaultRadius: "sm",
  fontFamily:
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
});
