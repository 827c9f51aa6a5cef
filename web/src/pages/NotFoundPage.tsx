import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        There is nothing here. Go to the <Link to="/jobs">jobs</Link> or start a <Link to="/new">new optimization</Link>.
      </p>
    </div>
  );
}
