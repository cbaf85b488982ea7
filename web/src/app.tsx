import {
  AppShell,
  Badge,
  Burger,
  Button,
  Center,
  Group,
  Loader,
  NavLink,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Suspense } from "react";
import { Route, NavLink as RouterLink, Routes, useLocation } from "react-router";
import { useSession, useSignedIn } from "./api/session";
import { EmptyState } from "./components/states";
import { visiblePages } from "./pages/pages";
import { SignInPage } from "./pages/sign-in";

/** Role names as people say them. */
export const roleLabels: Record<string, string> = {
  admin: "Admin",
  marketing: "Marketing",
  sales_manager: "Sales manager",
  rep: "Sales rep",
  viewer: "Viewer",
};

export function App() {
  const { state } = useSession();
  if (state.status === "checking")
    return (
      <Center h="100vh" role="status" aria-label="Checking your session">
        <Loader />
      </Center>
    );
  if (state.status === "signed-out") return <SignInPage notice={state.reason} />;
  return <Shell />;
}

function Shell() {
  const session = useSignedIn();
  const { signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const pages = visiblePages(session.capabilities);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 230, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? "Close navigation" : "Open navigation"}
            />
            <Title order={1} size="h3">
              Baton
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" fw={500} visibleFrom="xs" data-testid="user-name">
              {session.user.name}
            </Text>
            <Badge variant="light" data-testid="user-role">
              {roleLabels[session.user.role] ?? session.user.role}
            </Badge>
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Pages">
        <Stack gap={2} component="nav">
          {pages
            .filter((page) => page.inNavigation !== false)
            .map((page) => (
              <NavLink
                key={page.path}
                component={RouterLink}
                to={page.path}
                end
                label={page.label}
                description={page.description}
                active={location.pathname === page.path}
                onClick={close}
              />
            ))}
        </Stack>
      </AppShell.Navbar>

      <AppShell.Main>
        <Suspense
          fallback={
            <Center py="xl" role="status" aria-label="Loading the page">
              <Loader />
            </Center>
          }
        >
          <Routes>
            {pages.map((page) => (
              <Route key={page.path} path={page.path} element={<page.component />} />
            ))}
            <Route
              path="*"
              element={
                <EmptyState
                  title="Nothing here"
                  action="Pick a page from the navigation. If a link brought you here, your role may not open that page."
                />
              }
            />
          </Routes>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
