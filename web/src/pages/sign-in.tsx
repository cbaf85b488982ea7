import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { problemOf } from "../api/client";
import { useSession } from "../api/session";

/** Sign-in: the API sets an httpOnly session cookie; the page never sees the secret. */
export function SignInPage({ notice }: { notice?: string | undefined }) {
  const { signIn } = useSession();
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await signIn(user.trim(), password);
    } catch (error) {
      const problem = problemOf(error);
      setFailure(
        problem.status === 401
          ? "That user name and password do not match. Check both and try again; an admin can reset a password."
          : problem.message,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={380}>
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <div>
              <Title order={1} size="h2" id="sign-in-title">
                Sign in to Baton
              </Title>
              <Text size="sm" c="dimmed">
                The agreement between marketing and sales, kept.
              </Text>
            </div>
            {notice !== undefined && (
              <Alert color="blue" role="status">
                {notice}
              </Alert>
            )}
            <TextInput
              label="User name"
              name="user"
              autoComplete="username"
              required
              value={user}
              onChange={(event) => setUser(event.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
            />
            {failure !== undefined && (
              <Alert color="red" role="alert" title="Not signed in">
                {failure}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
